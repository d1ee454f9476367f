"""Inspection planning (双随机、一公开): risk grades, inspection plans and their draws, sanctions."""
