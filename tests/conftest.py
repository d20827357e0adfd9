"""Puts tests/ on sys.path so both test folders share `helpers`."""
