LAYER_VALUE = "from the shared layer"
