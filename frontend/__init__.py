"""The server-rendered user interface shell: layout, navigation, home and system pages."""
