"""JSON Schemas of the events we send, shipped as package data and served by the API."""
