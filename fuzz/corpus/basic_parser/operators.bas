Rem Operator priority: brackets; functions; unary minus; * / ^ MOD; + -; comparisons; NOT BNOT; AND OR XOR.
a% = 1
b% = 2
IF NOT a% = b% THEN PRINT "NOT binds looser than ="
PRINT 2 + 3 * 4; " "; (2 + 3) * 4; " "; -2 ^ 2; " "; 17 MOD 5
PRINT 1 = 1 AND 2 = 2; " "; 6 AND 3; " "; 6 OR 3; " "; 6 XOR 3; " "; BNOT 0
PRINT LEN "ab" + 1; " "; "con" + "cat"; " "; 7 / 2
// expect: NOT binds looser than =
// expect: 14 20 4 2
// expect: 1 2 7 5 -1
// expect: 3 concat 3.5
