"""Notifications, reminders and e-mail: labtrack tells people what to do."""
