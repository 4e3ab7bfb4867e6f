from ._arrears import Diagnostic as Diagnostic
from ._arrears import Explanation as Explanation
from ._arrears import Policy as Policy
from ._arrears import PolicyError as PolicyError
from ._arrears import __version__ as __version__
