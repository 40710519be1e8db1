"""Locales (BCP 47 codes) and the locales each site enables, with a fallback chain."""
