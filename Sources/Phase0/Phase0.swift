// Module Phase0: see README.md
