"""Prints the data folder of the preinstalled botocore (its service models)."""
import os
import botocore
print(os.path.join(os.path.dirname(botocore.__file__), "data"))
