"""The REST API (``/api/v1/``): DRF serializers, views and permissions."""
