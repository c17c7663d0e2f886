package nobench
