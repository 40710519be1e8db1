"""The assets endpoints of the management API: input serializers, output shapes, views, urls."""
