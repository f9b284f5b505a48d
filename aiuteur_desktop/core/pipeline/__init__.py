"""Above the stages: the gates that say why a stage cannot open yet, the project summary the
dashboard shows and the Vault of every version of every document."""
