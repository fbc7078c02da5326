# The package a trainer picks its network from at run time.
