Rem RESUMENEXT and LSTERR: errors do not stop the request while RESUMENEXT is 1.
SETSYS PRG, "RESUMENEXT", 1
z% = 0
q% = 1 / z%
PRINT "division error code "; GETSYS PRG, "LSTERR"
GOTO NoSuchLabel
PRINT "label error code "; GETSYS PRG, "LSTERR"
SETSYS PRG, "RESUMENEXT", 0
// expect: division error code 5
// expect: label error code 2
