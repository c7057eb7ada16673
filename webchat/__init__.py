"""Web app (Flask) and the ``policybot`` command line."""
