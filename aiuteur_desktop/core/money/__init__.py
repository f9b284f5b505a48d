"""The money: prices (an unknown price is never $0), the ledger of what was spent, paid calls
(sent, refused, accepted or uncertain) and spend weighed against the caps (`spend.Money`)."""
