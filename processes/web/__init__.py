"""Server-rendered pages of the processes app."""
