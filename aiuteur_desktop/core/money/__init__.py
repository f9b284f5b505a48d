"""The money: prices, the ledger, paid calls, the claims that stop a second send, and spend against the caps."""
