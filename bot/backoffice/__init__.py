"""The back office: server-rendered pages for operators, supervisors and HR admins."""
