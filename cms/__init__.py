"""The CMS project package: settings, root URLs and the API plumbing every app shares."""
