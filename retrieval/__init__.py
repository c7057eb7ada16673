"""Retrieval: ingestion of policy documents into provisions, indexing and search."""
