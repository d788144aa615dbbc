"""One module per constraint family of SPEC section 3; each opens with its equation."""
