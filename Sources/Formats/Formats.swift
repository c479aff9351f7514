// Module Formats: see README.md
