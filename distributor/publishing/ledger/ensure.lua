return ensure()
