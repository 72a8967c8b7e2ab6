"""Users, roles and the capabilities each role grants."""
