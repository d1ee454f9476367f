"""The public pages (一公开): what anyone may read without signing in, and only what is published."""
