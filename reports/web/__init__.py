"""The field monitors' web: sign-in, the report form (online and offline), their own reports, attachments."""
