"""An example consider rule pack: the pack is privacy-and-cost.yaml beside this file."""
