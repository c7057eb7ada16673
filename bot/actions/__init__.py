"""Custom actions of the 就业政策助手 Rasa bot (rasa-sdk). They reach the knowledge base only through
the web app's HTTP API."""
