"""ketnghia: steering programs for especially difficult communes."""
