Rem Event handlers: ONTIMER/TSET, ONCHANGE (name and negative index), ONMQTT, ONMQTTSTATUS.
Rem The test posts: timer 1, a change of tag 0, an MQTT message and status 5.
Rem --- eWON start section: Init Section
eWON_init_section:
ONTIMER 1, "goto OnTick"
TSET 1, 2
i% = 0
ONCHANGE -i%, "@Changed(GETSYS PRG,'EVTINFO')"
ONMQTT '@ReadMsg(mqtt("read"))'
ONMQTTSTATUS "PRINT 'status '; GETSYS PRG,'EVTINFO'"
END
OnTick:
  PRINT "tick"
END
FUNCTION Changed($id%)
  SETSYS TAG, "load", $id%
  PRINT "changed "; GETSYS TAG, "Name"
ENDFN
FUNCTION ReadMsg($n%)
  PRINT "messages "; $n%; " "; MQTT "MSGTOPIC"; "="; MQTT "MSGDATA"
ENDFN
Rem --- eWON end section: Init Section
// expect: tick
// expect: changed Temperature
// expect: messages 1 t=payload
// expect: status 5
