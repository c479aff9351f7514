// Module Numerics: see README.md
