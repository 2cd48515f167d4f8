Rem DIM (1-based, multi-dimensional, fixed-width strings), slicing, string built-ins.
DIM v(2, 3)
v(2, 3) = 1.5
DIM name$(2, 8)
name$(1) = "Temp"
PRINT "["; name$(1); "] ["; RTRIM name$(1); "] "; LEN name$(2); " "; v(2, 3)
t$ = "26/11/2026 09:10:05"
PRINT t$(7 TO 10) + "-" + t$(4 TO 5) + "-" + t$(1 TO 2) + " " + t$(12 TO)
PRINT INSTR 1, t$, ":"; " "; MID$(t$, 4, 2); " "; UCASE$ "ab"; LCASE$("CD"); " "; ASCII "A"; CHR$ 66
PRINT VAL "12" + 1; " "; INT 2.7; " "; ABS(-3); " "; TYPE$ 1.5; " ["; LTRIM "  x"; "]"
// expect: [Temp    ] [Temp] 8 1.5
// expect: 2026-11-26 09:10:05
// expect: 14 11 ABcd 65B
// expect: 13 2 3 FLOAT [x]
