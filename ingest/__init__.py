"""clarifai-ingest: a distributed dataset ingestion pipeline for the Clarifai API."""

__version__ = "0.1.0"
