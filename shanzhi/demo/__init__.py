"""Demo data of the model district (海勃湾区): synthetic grids, staff and appeals. Never loaded in production."""
