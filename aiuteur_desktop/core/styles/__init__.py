"""Written and visual styles: the libraries, their chunks and embeddings (LanceDB) and how a look is measured."""
