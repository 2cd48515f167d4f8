IF a% THEN
FOR i% = 1 TO
GOTO
PRINT "unterminated
x = (1 + 
ENDFN
NEXT j%
