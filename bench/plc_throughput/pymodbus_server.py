# The PLC a user would otherwise script: a pymodbus 3.0 TCP server (Debian's python3-pymodbus)
# holding 256 static registers. Static values are the fastest pymodbus can serve, so the baseline
# is generous. Usage: /usr/bin/python3 pymodbus_server.py PORT
import sys

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.server import StartTcpServer

port = int(sys.argv[1])
store = ModbusSlaveContext(hr=ModbusSequentialDataBlock(0, list(range(257))))
StartTcpServer(context=ModbusServerContext(slaves=store, single=True), address=("127.0.0.1", port))
