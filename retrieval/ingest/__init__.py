"""Ingestion: documents as received → clean documents with metadata and cited provisions."""
