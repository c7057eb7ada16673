"""Knowledge base: configuration, document sources and their metadata overrides."""
