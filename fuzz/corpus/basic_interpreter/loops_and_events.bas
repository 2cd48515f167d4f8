ONTIMER 1, "goto Tick"
TSET 1, 5
ONCHANGE "Counter", "goto Changed"
ONMQTT "goto Msg"
FOR i% = 1 TO 10
  a% = a% + i%
NEXT i%
S$ = STR$(a%) + "x"
END
Tick:
Counter@ = Counter@ + 1
END
Changed:
PRINT Label@
END
Msg:
n% = MQTT "READ"
END
