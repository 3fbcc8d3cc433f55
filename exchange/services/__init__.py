"""Business rules: every state change with a rule or a side effect lives here."""
