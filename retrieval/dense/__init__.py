"""The dense leg: a sentence-transformers model (the project's own or any on disk) and a faiss index."""
