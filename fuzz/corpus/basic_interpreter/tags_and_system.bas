Rem Tags and system fields: GETIO/SETIO, Tag@, SETSYS TAG "load" by name/index/id, GETSYS TAG/PRG fields, MQTT.
Rem The test host has two tags: Temperature (21.5, IVGroupA) and Pressure (3, IVGroupB).
PRINT "tags "; GETSYS PRG, "NBTAGS"
SETSYS TAG, "load", "pressure"
PRINT GETSYS TAG, "Name"; " group A="; GETSYS TAG, "IVGROUPA"; " B="; GETSYS TAG, "IVGROUPB"
i% = 0
SETSYS TAG, "load", -i%
PRINT GETSYS TAG, "Name"; " = "; GETSYS TAG, "TagValue"
SETSYS TAG, "load", 2
PRINT "id 2 is "; GETSYS TAG, "Name"
SETIO "Pressure", 4.5
Temperature@ = Temperature@ + 0.5
PRINT GETIO "Pressure"; " "; temperature@
IF MQTT("STATUS") = 5 THEN PRINT "mqtt connected"
n% = MQTT "READ"
PRINT n%; " message on "; MQTT "MSGTOPIC"
// expect: tags 2
// expect: Pressure group A=0 B=1
// expect: Temperature = 21.5
// expect: id 2 is Pressure
// expect: 4.5 22
// expect: mqtt connected
// expect: 1 message on t
