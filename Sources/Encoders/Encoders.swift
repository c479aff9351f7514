// Module Encoders: see README.md
