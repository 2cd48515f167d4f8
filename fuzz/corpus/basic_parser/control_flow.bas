Rem IF forms, FOR/STEP/NEXT, GOTO, GOSUB/RETURN, END.
e% = -4
IF e% = -4 THEN PRINT "single-line" : PRINT "both conditional" ELSE PRINT "else"
IF e% = 0 THEN PRINT "no" : PRINT "no" ELSE PRINT "else branch"
IF e% < 0 THEN
  PRINT "block then"
ELSE
  PRINT "block else"
ENDIF
FOR i% = 1 TO 3
  PRINT i%;
NEXT i%
PRINT
FOR x = 1 TO 0 STEP -0.5 : PRINT x; " "; : NEXT x
PRINT
GOSUB Twice
GOSUB Twice
GOTO Done
Twice:
  n% = n% + 2
RETURN
Done:
PRINT "n%="; n%
END
PRINT "after END"
// expect: single-line
// expect: both conditional
// expect: else branch
// expect: block then
// expect: 123
// expect: 1 0.5 0 
// expect: n%=4
