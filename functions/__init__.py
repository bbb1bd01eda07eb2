"""Non-HTTP Lambda handlers: wiring only (parse the event, call the domain, report)."""
