"""Writes about households that are not part of a census import (none yet: the census import
writes households and members; who saw their personal data is logged by `core.personal_data`).
"""
