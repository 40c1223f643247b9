"""Running the service for real: the GitHub App definition, the App Manifest flow, and ``doctor``."""
