"""Live operations: the day of the event over the plan (check-ins, incidents, dispatch, positions, the board)."""
