"""Record linkage: which records of which departments are the same person or legal entity (Splink)."""
