"""The artifact catalog: work samples as data (``artifacts/``), their manifest, renderer and linter."""
