// Module AudioIO: see README.md
